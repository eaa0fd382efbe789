import { StackFrame } from '@faultline/contracts';

export type StackLanguage = 'node' | 'python' | 'java' | 'go' | 'ruby' | 'dotnet' | 'php' | 'generic';

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
 * caused it (Java `Caused by:`, Python's earlier tracebacks, Node `[cause]:`). Fingerprint v2 groups
 * on the whole chain (v1 read only the first exception's frames).
 */
export type ParsedChain = ParsedException[];
