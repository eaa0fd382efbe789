import { readFixture } from './__fixtures__/read-fixture';
import { parsePythonStack } from './parse-python-stack';

describe('parsePythonStack', () => {
  it('reverses the traceback so the raising frame comes first, skipping source and caret lines', () => {
    const [exception] = parsePythonStack(readFixture('python/keyerror-nested.txt'));
    expect(exception.type).toBe('KeyError');
    expect(exception.message).toBe("'sku-404'");
    expect(exception.frames.map((frame) => [frame.function, frame.line])).toEqual([
      ['price_of', 7],
      ['<genexpr>', 12],
      ['order_total', 12],
      ['handle_order', 16],
      ['<module>', 19],
    ]);
    expect(exception.frames[0]).toEqual({
      function: 'price_of',
      file: 'keyerror_nested.py',
      module: null,
      line: 7,
      column: null,
      inApp: true,
    });
  });

  it('puts the raised exception of a `raise ... from` chain first and keeps its cause after it', () => {
    const chain = parsePythonStack(readFixture('python/chained-direct-cause.txt'));
    expect(chain.map((exception) => exception.type)).toEqual(['OrderNotFound', 'KeyError']);
    expect(chain[0].frames.map((frame) => frame.function)).toEqual(['load_order', 'handle', '<module>']);
    expect(chain[1].frames.map((frame) => frame.function)).toEqual(['fetch_row', 'load_order']);
  });

  it('handles implicit chaining and marks the standard library of any interpreter install as library', () => {
    const chain = parsePythonStack(readFixture('python/chained-during-handling.txt'));
    expect(chain.map((exception) => exception.type)).toEqual(['TypeError', 'json.decoder.JSONDecodeError']);
    expect(chain[0].frames[0]).toMatchObject({ function: 'log_failure', file: 'chained_during_handling.py', line: 13 });
    // /root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py
    expect(chain[1].frames[0]).toMatchObject({
      function: 'raw_decode',
      file: 'json/decoder.py',
      module: 'json.decoder',
      inApp: false,
    });
  });

  it('keeps the path inside site-packages and its dotted module for installed packages', () => {
    const [exception] = parsePythonStack(readFixture('python/library-frames.txt'));
    expect(exception.frames.map((frame) => [frame.function, frame.file, frame.module, frame.inApp])).toEqual([
      ['invoice_view', 'library_frames.py', null, true],
      ['_call_view', 'minihttp/dispatch.py', 'minihttp.dispatch', false],
      ['dispatch', 'minihttp/dispatch.py', 'minihttp.dispatch', false],
      ['<module>', 'library_frames.py', null, true],
    ]);
  });

  it('reads Debian dist-packages frames and ignores the lines of a multi-line exception message', () => {
    const chain = parsePythonStack(readFixture('python/dist-packages-yaml.txt'));
    expect(chain).toHaveLength(1);
    expect(chain[0].type).toBe('yaml.parser.ParserError');
    expect(chain[0].frames).toHaveLength(13);
    expect(chain[0].frames[0]).toMatchObject({ function: 'parse_flow_sequence_entry', file: 'yaml/parser.py', module: 'yaml.parser', inApp: false });
    expect(chain[0].frames[10]).toMatchObject({ function: 'safe_load', file: 'yaml/__init__.py', module: 'yaml' });
    expect(chain[0].frames[11]).toMatchObject({ function: 'load_config', file: 'dist_packages_yaml.py', inApp: true });
  });

  it('ignores the "previous line repeated" marker of a RecursionError', () => {
    const [exception] = parsePythonStack(readFixture('python/recursion-error.txt'));
    expect(exception.type).toBe('RecursionError');
    expect(exception.frames.map((frame) => frame.function)).toEqual(['walk', 'walk', 'walk', '<module>']);
  });
});
