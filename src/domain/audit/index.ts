export * from './probes';
export * from './run';
export * from './report';
export * from './compare';
export * from './export';
