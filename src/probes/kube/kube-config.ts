/**
 * Kubeconfig loading, in the order kubectl uses: `--kubeconfig`, then `KUBECONFIG` (a
 * list of files, merged), then `~/.kube/config`, then the in-cluster service account.
 * `--context` picks a context from the loaded configuration.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';

import { UserError } from '../../errors.js';

export interface KubeConfigRequest {
  /** Path of a kubeconfig file; default: `KUBECONFIG`, then `~/.kube/config`, then in-cluster. */
  readonly kubeconfigPath?: string;
  /** Context name; default: the file's `current-context`. */
  readonly context?: string;
  /** Environment to read `KUBECONFIG`, `HOME` and `KUBERNETES_SERVICE_HOST` from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A loaded configuration and a description of where it came from, for error messages. */
export interface LoadedKubeConfig {
  readonly config: KubeConfig;
  readonly description: string;
}

/**
 * Loads the kubeconfig for a request.
 *
 * @throws UserError when the named file does not exist or cannot be parsed, when no
 *   configuration is found at all, or when the context does not exist.
 */
export function loadKubeConfig(request: KubeConfigRequest = {}): LoadedKubeConfig {
  const env = request.env ?? process.env;
  const config = new KubeConfig();
  const source = loadConfigSource(config, request.kubeconfigPath, env);

  if (request.context !== undefined) selectContext(config, request.context, source);
  if (config.getCurrentCluster() === null) {
    throw new UserError(`no cluster is set for the current context in ${source}`, {
      suggestions: ['Pick a context with --context NAME (kubectl config get-contexts lists them).'],
    });
  }

  const contextName = config.getCurrentContext();
  return { config, description: contextName ? `${source}, context "${contextName}"` : source };
}

function loadConfigSource(config: KubeConfig, explicitPath: string | undefined, env: NodeJS.ProcessEnv): string {
  if (explicitPath !== undefined) return loadFile(config, explicitPath);

  const fromEnv = env.KUBECONFIG?.trim();
  if (fromEnv) {
    const files = fromEnv.split(':').filter((file) => file !== '' && existsSync(file));
    if (files.length === 0) {
      throw new UserError(`no kubeconfig file in KUBECONFIG exists (KUBECONFIG=${fromEnv})`, {
        suggestions: ['Fix KUBECONFIG, or pass --kubeconfig FILE.'],
      });
    }
    // As kubectl does, the first file that sets current-context decides it, and later files only add entries.
    loadFile(config, files[0] ?? '');
    for (const file of files.slice(1)) {
      const next = new KubeConfig();
      loadFile(next, file);
      mergeFile(config, next, file);
    }
    return `KUBECONFIG=${fromEnv}`;
  }

  const homeConfig = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(homeConfig)) return loadFile(config, homeConfig);

  if (env.KUBERNETES_SERVICE_HOST) {
    config.loadFromCluster();
    return 'the in-cluster service account';
  }

  throw new UserError('no Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, not in a cluster', {
    suggestions: ['Pass --kubeconfig FILE, or run with --lab to use the built-in simulated cluster.'],
  });
}

function loadFile(config: KubeConfig, path: string): string {
  if (!existsSync(path)) {
    throw new UserError(`kubeconfig file ${path} does not exist`, { suggestions: ['Check the --kubeconfig path.'] });
  }
  try {
    config.loadFromFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`could not load kubeconfig file ${path}: ${reason}`, {
      cause: error,
      suggestions: ['Check the file with kubectl config view --kubeconfig FILE.'],
    });
  }
  return `kubeconfig ${path}`;
}

function mergeFile(config: KubeConfig, next: KubeConfig, file: string): void {
  try {
    config.mergeConfig(next, config.getCurrentContext() !== '');
  } catch (error) {
    // client-node rejects a cluster, user or context name that an earlier file already defines.
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`could not merge kubeconfig file ${file} into the earlier KUBECONFIG files: ${reason}`, {
      cause: error,
      suggestions: ['Rename the duplicate entry, or pass one file with --kubeconfig.'],
    });
  }
}

function selectContext(config: KubeConfig, context: string, source: string): void {
  const names = config.getContexts().map((candidate) => candidate.name);
  if (!names.includes(context)) {
    throw new UserError(`context "${context}" not found in ${source}`, {
      suggestions: [names.length > 0 ? `Use one of: ${names.join(', ')}.` : 'The configuration has no contexts; add one with kubectl config set-context.'],
    });
  }
  config.setCurrentContext(context);
}
