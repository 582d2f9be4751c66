import { attemptBudgetMs, deliveryWorkflowId } from '../../../src/webhooks/deliveryTypes';
import { isEventSelector, isSubscribed, WEBHOOK_EVENT_TYPES } from '../../../src/domain/eventTypes';
import { streamOf } from '../../../src/webhooks/ordering';

describe('enabled_events selectors', () => {
  test.each([
    ['*', true],
    ['checkout_session.paid', true],
    ['payment.cancelled', true],
    ['transfer.*', true],
    ['payment_link.*', true],
    ['checkout_session.exploded', false],
    ['invoice.*', false],
    ['checkout_session', false],
    ['*.paid', false],
    ['', false],
  ])('%j is %s', (selector, ok) => {
    expect(isEventSelector(selector)).toBe(ok);
  });

  test('every SPEC §8 event type is selectable by name', () => {
    for (const type of WEBHOOK_EVENT_TYPES) expect(isEventSelector(type)).toBe(true);
  });

  test.each([
    [['*'], 'transfer.paid', true],
    [['checkout_session.paid'], 'checkout_session.paid', true],
    [['checkout_session.paid'], 'checkout_session.payment_paid', false],
    [['payment.*'], 'payment.expired', true],
    [['payment.*'], 'payment_link.created', false],
    [['checkout_link.*', 'transfer.created'], 'transfer.paid', false],
  ])('%j subscribes to %s: %s', (enabled, type, expected) => {
    expect(isSubscribed(enabled, type)).toBe(expected);
  });
});

describe('delivery identity', () => {
  test('one workflow per (event, endpoint); manual redeliveries get their own suffix', () => {
    expect(deliveryWorkflowId('evt_1', 'we_2')).toBe('webhook:evt_1:we_2');
    expect(deliveryWorkflowId('evt_1', 'we_2', 'abc')).toBe('webhook:evt_1:we_2:manual:abc');
  });

  test('the activity budget covers one ordering wait and one send', () => {
    expect(attemptBudgetMs(10_000)).toBeGreaterThan(2 * 10_000);
  });

  test("a session's payments and transfers share the session's stream; other objects are their own", () => {
    expect(streamOf({ object_id: 'cs_1', data: { object: { id: 'cs_1', object: 'checkout_session' } } })).toBe('cs_1');
    expect(streamOf({ object_id: 'pi_1', data: { object: { id: 'pi_1', checkout_session: 'cs_1' } } })).toBe('cs_1');
    expect(streamOf({ object_id: 'tr_1', data: { object: { id: 'tr_1', checkout_session: 'cs_1' } } })).toBe('cs_1');
    expect(streamOf({ object_id: 'plink_1', data: { object: { id: 'plink_1' } } })).toBe('plink_1');
  });
});
