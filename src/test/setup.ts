// Unit tests run in Node; IndexedDB comes from fake-indexeddb.
import 'fake-indexeddb/auto';
