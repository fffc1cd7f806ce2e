import { useEffect, useState } from 'react';
import { readStorageInfo, type StorageInfo } from '../db';

/** Storage usage/quota, refreshed every `intervalMs` and on demand. */
export function useStorageInfo(intervalMs = 15_000): StorageInfo & { refresh: () => void } {
  const [info, setInfo] = useState<StorageInfo>({ usageBytes: null, quotaBytes: null, persisted: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    void readStorageInfo().then((i) => live && setInfo(i));
    const t = setInterval(() => void readStorageInfo().then((i) => live && setInfo(i)), intervalMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [intervalMs, tick]);
  return { ...info, refresh: () => setTick((t) => t + 1) };
}
