/**
 * The conformance table of {@link compareVersions}: `[older, newer]` pairs and `[a, b]` pairs that are
 * equal. Exported because the Redis regression script's Lua twin is tested against the same table.
 */
export const VERSION_ORDER_CASES: { readonly older: readonly (readonly [string, string])[]; readonly equal: readonly (readonly [string, string])[] } = {
  older: [
    ['1.2.3', '1.2.4'],
    ['1.2.9', '1.2.10'],
    ['1.9.0', '1.10.0'],
    ['0.9', '1.0'],
    ['1.2', '1.2.1'],
    ['1.2.0', '1.2.0.1'],
    ['1.2.0-rc1', '1.2.0'],
    ['1.2.0-rc.1', '1.2.0'],
    ['1.2.0-alpha', '1.2.0-beta'],
    ['1.2.0-rc1', '1.2.0-rc2'],
    ['1.2.0-rc1', '1.2.0-1'],
    ['1.2.0+build.7', '1.2.0'],
    ['v1.2.3', '1.2.4'],
    ['1.2.3', 'V1.3'],
    ['2024.11.24', '2024.11.25'],
    ['2024_11_25', '2024_11_25_1'],
    ['99999999999999999999', '100000000000000000000'],
    ['9007199254740993', '9007199254740994'],
    ['abc', 'abd'],
    ['ABC', 'abc'],
    ['release-a', 'release-b'],
    ['', '1'],
    ['1.0.0-béta', '1.0.0-ça'],
    ['1.0.0-z', '1.0.0-é'],
  ],
  equal: [
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['1.02.3', '1.2.3'],
    ['1.2.3', '1-2_3'],
    ['1..2', '1.2'],
    ['', 'v'],
  ],
};
