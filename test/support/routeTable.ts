/** The app's route table, walked from its router stack: the same walk the method guard uses (src/api/routeTable.ts). */
export { routeTable, type RouteEntry } from '../../src/api/routeTable';
