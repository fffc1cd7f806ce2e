import { useEffect, useRef, useState } from 'react';
import { Icon } from '../ui/Icon';

/** Window-wide drop target for card files. */
export function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const [active, setActive] = useState(false);
  const depth = useRef(0);
  useEffect(() => {
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current++;
      setActive(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setActive(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setActive(false);
      onFiles(Array.from(e.dataTransfer?.files ?? []));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [onFiles]);
  if (!active) return null;
  return (
    <div className="pointer-events-none fixed inset-0 z-40 flex items-center justify-center bg-accent-900/30 p-6 backdrop-blur-sm">
      <div className="flex flex-col items-center gap-2 rounded-3xl border-2 border-dashed border-white bg-accent-700/90 px-10 py-8 text-white shadow-2xl">
        <Icon name="upload" className="h-8 w-8" />
        <p className="text-lg font-semibold">Drop cards to import</p>
        <p className="text-sm opacity-80">PNG or JSON cards (V1, V2, V3) and world-info files</p>
      </div>
    </div>
  );
}
