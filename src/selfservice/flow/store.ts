import type { FlowKind, StoredFlow } from './types.js';
import type { NewCourierMessage } from '../../courier/message.js';

export interface FlowStore {
  createFlow(flow: StoredFlow): Promise<void>;
  getFlow(kind: FlowKind, id: string): Promise<StoredFlow | null>;
  /**
   * Writes the flow's state. With `messages`, the courier rows are written in the same transaction, so a
   * flow that says "code sent" always has its mail queued, and a failed write queues nothing.
   */
  updateFlow(flow: StoredFlow, opts?: { messages?: NewCourierMessage[] }): Promise<void>;
  deleteExpiredFlows(before: Date, limit: number): Promise<number>;
}
