/**
 * Which activities may run as local activities is a type, checked by the compiler (npm run typecheck):
 * the lines below stop compiling if crediting becomes callable locally or stops being remote.
 */
import type { LocalDbActivities, LocalPaymentActivities, RemoteMoneyActivities } from '../../../workflows/activityOptions';

type Has<T, K extends string> = K extends keyof T ? true : false;

test('creditReceipt is a remote activity only; the local subsets hold only work safe to repeat', () => {
  const credit: [local: Has<LocalDbActivities, 'creditReceipt'>, payments: Has<LocalPaymentActivities, 'creditReceipt'>, remote: Has<RemoteMoneyActivities, 'creditReceipt'>] = [false, false, true];
  expect(credit).toEqual([false, false, true]);
  const local: (keyof LocalDbActivities | keyof LocalPaymentActivities)[] = [
    'persistNewSession', 'recordSession', 'receiptFacts', 'loadSessionState', 'loadSessionWithReceipt', 'executeTransfer', 'createSession', 'openPayment',
  ];
  // @ts-expect-error crediting cannot be named as a local activity
  local.push('creditReceipt');
  expect(local).toHaveLength(9);
});
