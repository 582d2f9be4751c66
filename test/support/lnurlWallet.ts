import { decodeLnurl, type WithdrawRequest } from '../../src/domain/lnurl';

/**
 * A test's Lightning wallet claiming an LNURL-withdraw (LUD-03) the way a phone wallet does: decode the
 * LNURL, GET the withdraw request, make an invoice for the amount, GET the callback with `k1` and `pr`.
 * `publicUrl` (what the product puts in its URLs) is rewritten to `baseUrl` (where the test reaches it).
 */
export class LnurlWallet {
  constructor(private readonly publicUrl: string, private readonly baseUrl: string) {}

  private reach(url: string): string {
    return url.startsWith(this.publicUrl) ? `${this.baseUrl}${url.slice(this.publicUrl.length)}` : url;
  }

  /** Step 1: the withdraw request behind an LNURL (or LUD-03's ERROR). */
  async withdrawRequest(lnurl: string): Promise<WithdrawRequest & { status?: string; reason?: string }> {
    const res = await fetch(this.reach(decodeLnurl(lnurl)));
    return res.json() as Promise<WithdrawRequest & { status?: string; reason?: string }>;
  }

  /** Step 2: sends `invoice` to the callback with `k1`; LUD-03's `{status, reason?}` (HTTP 200 either way). */
  async sendInvoice(request: Pick<WithdrawRequest, 'callback' | 'k1'>, invoice: string): Promise<{ status: string; reason?: string }> {
    const url = new URL(this.reach(request.callback));
    url.searchParams.set('k1', request.k1);
    url.searchParams.set('pr', invoice);
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`callback answered HTTP ${res.status}`);
    return res.json() as Promise<{ status: string; reason?: string }>;
  }

  /** Both steps, the invoice made by `invoiceFor` for the amount the request allows (in sats). */
  async claim(lnurl: string, invoiceFor: (sats: bigint) => Promise<string>): Promise<{ status: string; reason?: string }> {
    const request = await this.withdrawRequest(lnurl);
    if (request.tag !== 'withdrawRequest') return { status: 'ERROR', reason: request.reason };
    return this.sendInvoice(request, await invoiceFor(BigInt(request.maxWithdrawable) / 1000n));
  }
}
