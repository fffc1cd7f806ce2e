import { useEffect, useState } from 'react';
import { initials, placeholderColor } from '../../platform/image';

/** Avatar from a Blob (object URL, revoked on change) or generated initials. */
export function Avatar({ blob, name, size = 'md' }: { blob: Blob | null; name: string; size?: 'sm' | 'md' | 'lg' }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- the object URL is an external resource owned by this effect
      setUrl(null);
      return;
    }
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  const dims = size === 'sm' ? 'h-8 w-8 text-xs' : size === 'lg' ? 'h-24 w-24 text-2xl' : 'h-10 w-10 text-sm';
  if (url) return <img src={url} alt="" className={`${dims} shrink-0 rounded-full object-cover object-top`} />;
  return (
    <span aria-hidden="true" className={`${dims} inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white`} style={{ backgroundColor: placeholderColor(name || '?') }}>
      {initials(name || '?')}
    </span>
  );
}
