/**
 * The `plugins { <Type> "<name>" { … } }` section shared by SPIRE agent and server
 * configurations (block keys from `pkg/common/catalog/config.go`, SPIRE 1.16.0-dev
 * ef8527ec9).
 */
import { SpireConfigError } from './config-errors.js';
import { childScope, findUnknownKeys, readBoolean, readString, readStringList, type ConfigScope } from './config-values.js';
import { isHclObject, mergeHclObjects, type HclObject, type HclValue } from './hcl.js';

/** One configured plugin, such as `NodeAttestor "k8s_psat"`. */
export interface SpirePluginConfig {
  /** Plugin type: `NodeAttestor`, `WorkloadAttestor`, `KeyManager`, `DataStore`, … */
  readonly type: string;
  /** Plugin name: `k8s_psat`, `k8s`, `unix`, `disk`, … */
  readonly name: string;
  /** The `plugin_data` block; empty when absent or given through `plugin_data_file`. */
  readonly pluginData: Record<string, unknown>;
  /** `enabled`; SPIRE treats an absent value as enabled. */
  readonly enabled?: boolean;
  /** `plugin_cmd` of an external plugin binary; absent for built-in plugins. */
  readonly pluginCmd?: string;
  readonly pluginArgs?: readonly string[];
  readonly pluginChecksum?: string;
  readonly pluginDataFile?: string;
}

const PLUGIN_BLOCK_KEYS = new Set(['plugin_cmd', 'plugin_args', 'plugin_checksum', 'plugin_data', 'plugin_data_file', 'enabled']);

/**
 * Reads every plugin block in `plugins`, in file order. Accepts the HCL form and the
 * JSON forms, where a type or a name may map to a list of objects.
 */
export function readPlugins(root: ConfigScope): { plugins: SpirePluginConfig[]; unknownKeys: string[] } {
  const plugins: SpirePluginConfig[] = [];
  const unknownKeys: string[] = [];
  const pluginsScope = childScope(root, 'plugins');

  for (const [type, byName] of Object.entries(pluginsScope.object)) {
    for (const names of objectsIn(byName, `${pluginsScope.path}.${type}`)) {
      for (const [name, block] of Object.entries(names)) {
        const scope = { object: mergeObjects(block, `${pluginsScope.path}.${type}.${name}`), path: `${pluginsScope.path}.${type}.${name}` };
        plugins.push(readPluginBlock(type, name, scope));
        unknownKeys.push(...findUnknownKeys(scope, PLUGIN_BLOCK_KEYS));
      }
    }
  }
  return { plugins, unknownKeys };
}

/** Finds the first plugin of `type` (and `name`, when given) that is not disabled. */
export function findPlugin(plugins: readonly SpirePluginConfig[], type: string, name?: string): SpirePluginConfig | undefined {
  return plugins.find((plugin) => plugin.type === type && (name === undefined || plugin.name === name) && plugin.enabled !== false);
}

function readPluginBlock(type: string, name: string, scope: ConfigScope): SpirePluginConfig {
  const data = childScope(scope, 'plugin_data');
  const enabled = readBoolean(scope, 'enabled');
  const pluginCmd = readString(scope, 'plugin_cmd');
  const pluginArgs = readStringList(scope, 'plugin_args');
  const pluginChecksum = readString(scope, 'plugin_checksum');
  const pluginDataFile = readString(scope, 'plugin_data_file');

  return {
    type,
    name,
    pluginData: data.object,
    ...(enabled === undefined ? {} : { enabled }),
    ...(pluginCmd === undefined ? {} : { pluginCmd }),
    ...(pluginArgs === undefined ? {} : { pluginArgs }),
    ...(pluginChecksum === undefined ? {} : { pluginChecksum }),
    ...(pluginDataFile === undefined ? {} : { pluginDataFile }),
  };
}

function objectsIn(value: HclValue, path: string): HclObject[] {
  if (isHclObject(value)) return [value];
  if (Array.isArray(value) && value.every(isHclObject)) return value;
  throw new SpireConfigError(path, value, 'expected a plugin block');
}

function mergeObjects(value: HclValue, path: string): HclObject {
  return mergeHclObjects(objectsIn(value, path));
}
