import { z } from 'zod';
import { listQuery } from '../lists';

export { createRefundSchema, type CreateRefundInput } from '../../domain/input/refund';

/** Query of `GET /refunds`. */
export const listRefundsQuery = listQuery({ checkout_session: z.string().min(1).optional() });
