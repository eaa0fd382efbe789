import { StackFrame } from '@faultline/contracts';
import { isRubyLibraryFile } from './in-app';
import { normaliseRubyFile } from './file-name';
import { ParsedChain, ParsedException } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, stackLines } from './stack-text';

/**
 * Ruby's uncaught-exception report (`Exception#full_message`) and bare `backtrace` lines, innermost
 * first already:
 *
 *   /srv/app/lib/orders.rb:13:in `rescue in load': order ord_1 not found (OrderNotFound)
 *   	from /srv/app/lib/orders.rb:10:in `load'
 *   	from /usr/lib/ruby/gems/3.1.0/gems/prime-0.1.2/lib/prime.rb:374:in `block in each'
 *   	from main.rb:4:in `<main>'
 *   /srv/app/lib/orders.rb:11:in `fetch': key not found: "ord_1" (KeyError)     <- its cause
 *   	from ...
 *
 * Ruby 3.4 quotes labels as 'Orders#load' instead of `load'; both are read, and the label is kept as
 * printed (`block in load_batch`, `<main>`). A message spanning lines (error_highlight's snippet)
 * continues until the next frame line.
 */
// Labels hold no quote characters: `[^`']*` keeps matching linear on a pathological line.
const FRAME_LINE = /^\s*(?:from )?(\S.*?):(\d+)(?::in [`']([^`']*)')?\s*$/;
const HEADER_LINE = /^(\S.*?):(\d+):in [`']([^`']*)': (.*)$/;
const MESSAGE_AND_CLASS = /^(.*) \(([A-Z][\w:]*)\)$/;

export function parseRubyStack(stack: string): ParsedChain {
  const chain: ParsedException[] = [];
  let current: ParsedException | null = null;
  for (const line of stackLines(stack)) {
    const header = /^\S/.test(line) ? HEADER_LINE.exec(line) : null;
    if (header) {
      const messageAndClass = MESSAGE_AND_CLASS.exec(header[4]);
      current = {
        type: messageAndClass ? messageAndClass[2] : null,
        message: messageAndClass ? messageAndClass[1] : header[4],
        frames: [toFrame(header[1], header[2], header[3])],
      };
      chain.push(current);
      continue;
    }
    const frame = FRAME_LINE.exec(line);
    if (!frame) continue;
    if (!current) {
      current = { type: null, message: null, frames: [] };
      chain.push(current);
    }
    if (current.frames.length < MAX_FRAMES_PER_EXCEPTION) current.frames.push(toFrame(frame[1], frame[2], frame[3]));
  }
  return chain;
}

/** `path:N:in `label'` or `path:N:in 'label'`, with or without `from ` and a trailing message. */
export function isRubyStackLine(line: string): boolean {
  return /^\s*(?:from )?\S.*?:\d+:in [`'][^`']*'/.test(line);
}

function toFrame(path: string, line: string, label: string | undefined): StackFrame {
  return {
    function: label ?? null,
    file: normaliseRubyFile(path),
    module: null,
    line: Number(line),
    column: null,
    inApp: !isRubyLibraryFile(path),
  };
}
