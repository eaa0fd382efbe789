import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CHART_DIR } from './chart-render';
import { documentedParams, parameterTable, valuePaths } from './values-docs';

const valuesText = readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8');
const params = documentedParams(valuesText);
const documented = new Set(params.map((param) => param.path));

describe('values.yaml documentation', () => {
  it('documents every value with ## @param, and documents no value that does not exist', () => {
    const paths = valuePaths(valuesText, documented);
    expect(paths.filter((valuePath) => !documented.has(valuePath))).toEqual([]);
    expect([...documented].filter((param) => !paths.includes(param))).toEqual([]);
  });

  it('is what the chart README lists (regenerate the table with the command in the README)', () => {
    const readme = readFileSync(path.join(CHART_DIR, 'README.md'), 'utf8');
    expect(readme).toContain(parameterTable(valuesText));
  });
});
