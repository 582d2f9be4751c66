import { toApiError, ApiError, ServiceUnavailableError } from '../../../src/api/errors';
import { BusyError, CheckoutError, ERROR_KINDS, type ErrorKind } from '../../../src/domain/errors';

/** Services throw a CheckoutError with a kind; the edge maps each kind to one status and SPEC §2 error type. */
describe('a business error becomes HTTP at the edge, by its kind', () => {
  const expected: Record<ErrorKind, [number, string]> = {
    invalid_data: [400, 'invalid_request_error'],
    not_found: [404, 'invalid_request_error'],
    not_allowed: [403, 'permission_error'],
    conflict: [409, 'invalid_request_error'],
    gone: [410, 'invalid_request_error'],
    insufficient_funds: [400, 'insufficient_funds'],
    unavailable: [503, 'api_error'],
    busy: [429, 'rate_limit_error'],
  };

  test.each(ERROR_KINDS.map((kind) => [kind]))('%s', (kind) => {
    const api = toApiError(new CheckoutError(kind, 'what went wrong', 'amount', 'a_code'))!;
    expect([api.status, api.type]).toEqual(expected[kind]);
    expect(api.message).toBe('what went wrong');
  });

  test('the field and the code reach the error body; unavailable asks the client to retry later', () => {
    expect(toApiError(new CheckoutError('invalid_data', 'too many', 'amount', 'insufficient_funds')))
      .toMatchObject({ status: 400, param: 'amount', code: 'insufficient_funds' });
    expect(toApiError(CheckoutError.notFound('checkout session', 'cs_x'))).toMatchObject({ status: 404, param: 'id', message: "No such checkout session: 'cs_x'" });
    expect(toApiError(new CheckoutError('unavailable', 'rates down'))).toBeInstanceOf(ServiceUnavailableError);
    expect(toApiError(new BusyError('link full', 42))).toMatchObject({ status: 429, retryAfterSeconds: 42 });
  });

  test('an ApiError passes as it is; any other error is not the edge\'s to answer', () => {
    const own = new ApiError(405, 'no');
    expect(toApiError(own)).toBe(own);
    expect(toApiError(new Error('boom'))).toBeNull();
  });
});
