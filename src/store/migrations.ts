export interface Migration {
  version: number;
  name: string;
  /** Plain SQL that both PGlite and PostgreSQL 15 accept; may hold several statements. */
  sql: string;
}

/**
 * The schema's history, oldest first. Applied migrations are never edited: change the schema
 * by appending one. The SQL lives in a module rather than in .sql files so that it ships with
 * the compiled code without a copy step.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calls, turns, summaries and jobs',
    sql: `
CREATE TABLE calls (
  call_sid text PRIMARY KEY,
  stream_sid text,
  from_number text,
  to_number text,
  status text NOT NULL CHECK (status IN ('in-progress', 'completed', 'failed', 'interrupted')),
  -- Millisecond precision: the list cursor carries started_at as a JavaScript Date, and a
  -- microsecond the Date cannot hold would repeat or skip rows at page boundaries.
  started_at timestamptz(3) NOT NULL,
  ended_at timestamptz,
  end_reason text,
  language text,
  usage jsonb,
  figures jsonb,
  instance_id text NOT NULL,
  -- Bumped by every write about a live call, so calls of a crashed instance show as stale.
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_newest_idx ON calls (started_at DESC, call_sid DESC);
CREATE INDEX calls_status_newest_idx ON calls (status, started_at DESC, call_sid DESC);

CREATE TABLE turns (
  call_sid text NOT NULL REFERENCES calls ON DELETE CASCADE,
  seq integer NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'assistant')),
  item_id text NOT NULL,
  text text NOT NULL,
  heard_text text NOT NULL,
  interrupted boolean NOT NULL DEFAULT false,
  at timestamptz NOT NULL,
  PRIMARY KEY (call_sid, seq)
);

CREATE TABLE summaries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_sid text NOT NULL REFERENCES calls ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('in-call', 'post-call')),
  content jsonb NOT NULL,
  text text NOT NULL,
  language text,
  model text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX summaries_call_kind_created_idx ON summaries (call_sid, kind, created_at DESC);

CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  call_sid text NOT NULL REFERENCES calls ON DELETE CASCADE,
  payload jsonb NOT NULL DEFAULT '{}',
  attempts integer NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  last_error text,
  done_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- One job per kind per call, done or not: enqueueing again is a no-op. call_sid leads so
  -- that deleting a call finds its jobs through this index.
  UNIQUE (call_sid, kind)
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE done_at IS NULL;
`,
  },
  {
    version: 2,
    name: 'tool turns, key presses and hand-offs',
    sql: `
ALTER TABLE turns DROP CONSTRAINT turns_role_check;
ALTER TABLE turns ADD CONSTRAINT turns_role_check CHECK (role IN ('user', 'assistant', 'tool'));
-- A tool turn's call: name, arguments, output, outcome, durationMs.
ALTER TABLE turns ADD COLUMN tool jsonb;
-- The digits of a caller turn that was key presses.
ALTER TABLE turns ADD COLUMN keys text;
-- A transfer to a person: reason and the whisper the person heard.
ALTER TABLE calls ADD COLUMN handoff jsonb;
`,
  },
  {
    version: 3,
    name: 'call ownership and heartbeats',
    sql: `
-- The instance holding the call's media stream; only it writes the call's status.
ALTER TABLE calls ADD COLUMN owner_instance text;
-- Bumped by the owner while the call lives: a call whose heartbeat stops was orphaned by a dead instance.
ALTER TABLE calls ADD COLUMN heartbeat_at timestamptz;
CREATE INDEX calls_live_heartbeat_idx ON calls (heartbeat_at) WHERE status = 'in-progress';
`,
  },
  {
    version: 4,
    name: 'dead jobs',
    sql: `
-- A job that failed for good (the other side refused it): never claimed again, kept with its last error.
ALTER TABLE jobs ADD COLUMN dead_at timestamptz;
DROP INDEX jobs_due_idx;
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE done_at IS NULL AND dead_at IS NULL;
`,
  },
  {
    version: 5,
    name: 'turn timing',
    sql: `
-- When a turn was said and, for bot turns, how long the caller waited (marks in ms since the call started).
ALTER TABLE turns ADD COLUMN timing jsonb;
`,
  },
  {
    version: 6,
    name: 'outbound calls',
    sql: `
-- Who dialled: a caller reaching us (inbound), or callbridge placing the call (outbound).
ALTER TABLE calls ADD COLUMN direction text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound'));
-- What an outbound call was asked to say, until its webhook reaches an instance (any of them) and takes it.
CREATE TABLE outbound_requests (
  id text PRIMARY KEY,
  instructions text,
  greeting text,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
];
