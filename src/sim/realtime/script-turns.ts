import type { ScriptCursor, ScriptedTool } from '../scenarios.js';
import type { SimItem } from './items.js';

/** callbridge's ids for history it seeds into a new session: those user turns were answered in the old one. */
const SEEDED_ITEM_PREFIX = 'cb_';

/** What the next response does: call the scripted tools, or speak a voice clip. */
export type NextResponse = { kind: 'tools'; tools: ScriptedTool[] } | { kind: 'speak'; replyId: string };

/** Which scripted user turn the conversation is at, and so what the model answers next. */
export class ScriptTurns {
  readonly #script: ScriptCursor;
  #pendingReply: string | undefined;
  #pendingTools: ScriptedTool[] = [];
  /**
   * A user text message the client created since the last response and the last committed audio turn:
   * the next response answers it as the script's next turn (callbridge sends key presses this way).
   */
  #unansweredText = false;
  #greeted = false;

  constructor(script: ScriptCursor) {
    this.#script = script;
  }

  /** The next scripted user turn becomes what the following responses answer. */
  advance(): ReturnType<ScriptCursor['nextUserTurn']> {
    const turn = this.#script.nextUserTurn();
    this.#pendingReply = turn.reply;
    this.#pendingTools = turn.tools;
    this.#unansweredText = false;
    return turn;
  }

  /** An item the client created: a user text message of this call (not seeded history) is a turn of its own. */
  itemCreated(item: SimItem): void {
    if (item.role === 'user' && !item.id.startsWith(SEEDED_ITEM_PREFIX) && item.content.some((part) => part.type === 'input_text')) {
      this.#unansweredText = true;
    }
  }

  /** A response starts: the turn's tools first, then its reply; the greeting before any turn, the fallback after the script. */
  nextResponse(): NextResponse {
    if (this.#unansweredText) this.advance();
    if (this.#pendingTools.length > 0) {
      const tools = this.#pendingTools;
      this.#pendingTools = [];
      return { kind: 'tools', tools };
    }
    const replyId = this.#pendingReply ?? (this.#greeted ? this.#script.scenario.fallbackReply : this.#script.scenario.greeting);
    this.#pendingReply = undefined;
    this.#greeted = true;
    return { kind: 'speak', replyId };
  }
}
