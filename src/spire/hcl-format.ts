/**
 * Writes a configuration tree back as HCL v1 text that {@link parseHcl} and SPIRE read.
 * Objects become blocks (`key { … }`), everything else `key = value`.
 */
import { isHclObject, type HclObject, type HclValue } from './hcl.js';

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const INDENT = '  ';

/**
 * Formats an object tree as HCL v1 text, two spaces per level.
 *
 * @throws RangeError for values HCL v1 cannot write: `null`, NaN and infinite numbers.
 */
export function formatHcl(value: HclObject): string {
  return formatBody(value, 0);
}

function formatBody(body: HclObject, depth: number): string {
  const pad = INDENT.repeat(depth);
  let text = '';
  for (const [key, value] of Object.entries(body)) {
    if (isHclObject(value)) {
      text += `${pad}${formatKey(key)} {\n${formatBody(value, depth + 1)}${pad}}\n`;
    } else {
      text += `${pad}${formatKey(key)} = ${formatValue(value, depth)}\n`;
    }
  }
  return text;
}

function formatValue(value: HclValue, depth: number): string {
  if (value === null) throw new RangeError('HCL v1 has no null value');
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item, depth)).join(', ')}]`;

  const pad = INDENT.repeat(depth);
  return `{\n${formatBody(value, depth + 1)}${pad}}`;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`HCL v1 cannot write the number ${value}`);
  return String(value);
}

function formatKey(key: string): string {
  const isKeyword = key === 'true' || key === 'false';
  return BARE_KEY.test(key) && !isKeyword ? key : JSON.stringify(key);
}
