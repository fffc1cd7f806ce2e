/** What the UI needs to explain a failed write (stores may not import db/ directly). */
export { describeStorageError, type StorageProblem } from '../db';
