import { parse as parseYaml } from 'yaml';

/** `## @param <path> <description>` lines of values.yaml (the bitnami readme-generator convention). */
export function documentedParams(valuesText: string): { path: string; description: string }[] {
  return [...valuesText.matchAll(/^\s*## @param (\S+) (.+)$/gm)].map(([, path, description]) => ({ path, description: description.trim() }));
}

/** Every value path of values.yaml that a user sets: leaves, and maps/lists documented as a whole. */
export function valuePaths(valuesText: string, documented: Set<string>): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, prefix: string) => {
    const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (prefix && (!isMap || documented.has(prefix) || Object.keys(value as object).length === 0)) {
      paths.push(prefix);
      return;
    }
    for (const [key, child] of Object.entries(value as object)) walk(child, prefix ? `${prefix}.${key}` : key);
  };
  walk(parseYaml(valuesText), '');
  return paths;
}

/** The README's parameter table, one row per @param, in values.yaml order. */
export function parameterTable(valuesText: string): string {
  const values = parseYaml(valuesText);
  const rows = documentedParams(valuesText).map(({ path, description }) => {
    const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], values);
    const shown = JSON.stringify(value);
    return `| \`${path}\` | ${description.replace(/\|/g, '\\|')} | \`${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}\` |`;
  });
  return ['| Name | Description | Default |', '|---|---|---|', ...rows].join('\n');
}
