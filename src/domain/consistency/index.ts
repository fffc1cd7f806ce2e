/** The consistency checker's pure core: APC scoring, relevance, segmentation, caching, staleness, pruning, drift. */
export * from './apc';
export * from './cache';
export * from './drift';
export * from './errors';
export * from './pruning';
export * from './relevance';
export * from './segmenter';
export * from './staleness';
export * from './verdict';
export * from './assistantVoice';
export * from './echo';
export * from './roleFlags';
export * from './roleText';
export * from './speaksForUser';
export * from './takes';
