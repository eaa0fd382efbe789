import { readStack } from './__fixtures__/read-stack';
import { normaliseRubyFile } from './file-name';
import { isRubyLibraryFile } from './in-app';
import { parseRubyStack } from './parse-ruby-stack';
import { detectStackLanguage, parseStack } from './parse-stack';

const ORDER_NOT_FOUND = 'corpus/ruby/order-not-found-prime-batch/release-20240611.txt';
const NIL_ITEM = 'corpus/ruby/invoice-total-nil-item/relative-path.txt';

describe('parseRubyStack', () => {
  it('reads the backtick labels of Ruby 3.1, gem frames as library, and the cause printed after the error', () => {
    const chain = parseRubyStack(readStack(ORDER_NOT_FOUND));
    expect(chain.map((exception) => [exception.type, exception.message])).toEqual([
      ['OrderNotFound', 'order ord_8f2a1c not found'],
      ['KeyError', 'key not found: "ord_8f2a1c"'],
    ]);
    expect(chain[0].frames[0]).toEqual({ function: 'rescue in load', file: 'orders.rb', module: null, line: 13, column: null, inApp: true });
    expect(chain[0].frames.map((frame) => [frame.function, frame.file, frame.line, frame.inApp])).toEqual([
      ['rescue in load', 'orders.rb', 13, true],
      ['load', 'orders.rb', 10, true],
      ['block in load_batch', 'orders.rb', 17, true],
      ['block in each', 'prime/lib/prime.rb', 374, false],
      ['loop', 'prime/lib/prime.rb', 371, false],
      ['each', 'prime/lib/prime.rb', 371, false],
      ['map', 'orders.rb', 17, true],
      ['load_batch', 'orders.rb', 17, true],
      ['<main>', 'main.rb', 4, true],
    ]);
    expect(chain[1].frames[0]).toMatchObject({ function: 'fetch', file: 'orders.rb', line: 11 });
  });

  it('skips the source snippet error_highlight adds to the message', () => {
    const chain = parseRubyStack(readStack(NIL_ITEM));
    expect(chain).toHaveLength(1);
    expect(chain[0]).toMatchObject({ type: 'NoMethodError', message: "undefined method `price' for nil:NilClass" });
    expect(chain[0].frames.map((frame) => [frame.function, frame.line])).toEqual([
      ['block in total', 9],
      ['sum', 9],
      ['total', 9],
      ['<main>', 14],
    ]);
  });

  it('reads the single-quoted, class-qualified labels of Ruby 3.4', () => {
    // The example of Ruby 3.4's NEWS ("Compatibility issues: error messages and backtrace displays").
    const stack = [
      "test.rb:1:in 'Object#foo': undefined method 'time' for an instance of Integer",
      "        from test.rb:2:in '<main>'",
    ].join('\n');
    expect(detectStackLanguage(stack)).toBe('ruby');
    const [exception] = parseRubyStack(stack);
    expect(exception.message).toBe("undefined method 'time' for an instance of Integer");
    expect(exception.frames.map((frame) => [frame.function, frame.file, frame.line])).toEqual([
      ['Object#foo', 'test.rb', 1],
      ['<main>', 'test.rb', 2],
    ]);
  });

  it('reads bare backtrace lines, as tracers join `exception.backtrace`', () => {
    const stack = ["/srv/app/app/models/order.rb:12:in `total'", "/usr/local/bundle/gems/activerecord-7.1.2/lib/active_record/relation.rb:44:in `each'"].join('\n');
    expect(parseRubyStack(stack)[0].frames.map((frame) => [frame.function, frame.file, frame.inApp])).toEqual([
      ['total', 'order.rb', true],
      ['each', 'activerecord/lib/active_record/relation.rb', false],
    ]);
  });

  it('loses no frame', () => {
    for (const fixture of [ORDER_NOT_FOUND, NIL_ITEM]) {
      const frameLines = readStack(fixture).split('\n').filter((line) => /:\d+:in `/.test(line));
      const parsed = parseRubyStack(readStack(fixture)).flatMap((exception) => exception.frames);
      expect(parsed).toHaveLength(frameLines.length);
    }
  });

  it('stays linear on a pathological 250 KB line (a backtracking regex would take seconds)', () => {
    const line = 'from ' + 'a:1:in `x'.repeat(30_000);
    const started = Date.now();
    parseRubyStack(`${line}\n${line}`);
    parseStack(`${line}\n${line}`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('is detected as Ruby', () => {
    for (const fixture of [ORDER_NOT_FOUND, NIL_ITEM]) {
      expect(detectStackLanguage(readStack(fixture))).toBe('ruby');
      expect(parseStack(readStack(fixture)).language).toBe('ruby');
    }
  });
});

describe('Ruby files and library code', () => {
  it.each([
    ['/usr/lib/ruby/gems/3.1.0/gems/prime-0.1.2/lib/prime.rb', 'prime/lib/prime.rb', true],
    ['/srv/app/vendor/bundle/ruby/3.3.0/gems/nokogiri-1.15.4-x86_64-linux/lib/nokogiri.rb', 'nokogiri/lib/nokogiri.rb', true],
    ['/usr/local/bundle/bundler/gems/rails-af3a1b2c4d5e/activesupport/lib/active_support.rb', 'rails/activesupport/lib/active_support.rb', true],
    ['/usr/lib/ruby/3.1.0/json/common.rb', 'json/common.rb', true],
    ['/root/.rbenv/versions/3.3.0/lib/ruby/3.3.0/net/http.rb', 'net/http.rb', true],
    ['<internal:kernel>', '<internal:kernel>', true],
    ['/tmp/flgen/ruby/releases/20240611/app/lib/orders.rb', 'orders.rb', false],
    ['main.rb', 'main.rb', false],
  ])('%s -> %s (library: %s)', (path, file, library) => {
    expect(normaliseRubyFile(path)).toBe(file);
    expect(isRubyLibraryFile(path)).toBe(library);
  });
});
