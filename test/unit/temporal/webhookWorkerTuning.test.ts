import { loadConfig } from '../../../src/config';
import { webhookWorkerTuning, workerTuning } from '../../../src/temporal/worker';

const config = (env: Record<string, string> = {}) => loadConfig({ DATA_DIR: '/tmp/checkout-tuning-test', ADMIN_API_KEY: 'admin_test_Key_0123456789abcdefXYZ', ...env });

test('the webhook task queue has a rate limit of its own, from WEBHOOK_MAX_DELIVERIES_PER_SECOND (50 by default)', () => {
  const c = config();
  expect(webhookWorkerTuning(c.webhooks, c.worker)).toMatchObject({ maxTaskQueueActivitiesPerSecond: 50, maxConcurrentActivityTaskExecutions: 20 });
  const tuned = config({ WEBHOOK_MAX_DELIVERIES_PER_SECOND: '5', WEBHOOK_MAX_CONCURRENT_DELIVERIES: '3' });
  expect(webhookWorkerTuning(tuned.webhooks, tuned.worker)).toMatchObject({ maxTaskQueueActivitiesPerSecond: 5, maxConcurrentActivityTaskExecutions: 3 });
});

test('0 turns the webhook rate limit off; the money worker never has one', () => {
  const c = config({ WEBHOOK_MAX_DELIVERIES_PER_SECOND: '0' });
  expect(webhookWorkerTuning(c.webhooks, c.worker)).not.toHaveProperty('maxTaskQueueActivitiesPerSecond');
  expect(workerTuning(config().worker)).not.toHaveProperty('maxTaskQueueActivitiesPerSecond');
});
