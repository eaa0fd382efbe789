import { StackFrame } from '@faultline/contracts';

export type StackLanguage = 'node' | 'python' | 'java' | 'generic';

/**
 * One exception of a printed chain. `type` and `message` come from its header line when the
 * runtime prints one (null otherwise); `frames` are innermost first.
 */
export interface ParsedException {
  type: string | null;
  message: string | null;
  frames: StackFrame[];
}

/**
 * What a language parser returns: the chain with the exception the span reports first, then what
 * caused it (Java `Caused by:`, Python's earlier tracebacks, Node `[cause]:`). Fingerprint v1 reads
 * only the first exception's frames; the causes are kept so a later version can use them.
 */
export type ParsedChain = ParsedException[];
