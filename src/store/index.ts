export { CallStore, type CallStoreOptions } from './call-store.js';
export { JobQueue } from './job-queue.js';
export { migrate, type MigrateOptions } from './migrate.js';
export { openSqlClient, type OpenSqlClientOptions } from './open-sql-client.js';
export type { SqlClient, SqlTransaction } from './sql-client.js';
export type {
  CallDetail,
  CallEnding,
  CallListItem,
  CallRecord,
  CallStatus,
  CallSummaryView,
  Job,
  ListCallsPage,
  ListCallsQuery,
  NewCall,
  SummaryKind,
  SummaryRecord,
  TokenUsage,
  TurnRecord,
} from './types.js';
