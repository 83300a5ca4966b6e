// The few protocol constants the benchmarks need (DESIGN.md, protocol v1).
export const DEFAULT_PREFIX = '/api/v1/hot-reload';
