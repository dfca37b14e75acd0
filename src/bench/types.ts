/**
 * Shape of one benchmark. Each benchmark measures its subject and a baseline in the
 * same run and reports their ratio, because this machine is shared and absolute
 * numbers from it mean little.
 */
export interface BenchMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface BenchResult {
  readonly name: string;
  readonly metrics: readonly BenchMetric[];
  /** Subject divided by baseline, with what each side measured. */
  readonly ratios: readonly { readonly name: string; readonly value: number; readonly target?: string; readonly met?: boolean }[];
  readonly notes?: readonly string[];
}

export interface Benchmark {
  readonly name: string;
  run(): Promise<BenchResult>;
}
