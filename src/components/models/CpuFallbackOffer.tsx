import { useState } from 'react';
import { useCpuFallbackOffer } from '../../hooks/useModels';
import { Button } from '../ui/Button';
import { Icon } from '../ui/Icon';

/** "Continue on CPU" after the GPU engine failed: the same chat, one click. Nothing when there is nothing to offer. */
export function CpuFallbackOffer({ compact = false }: { compact?: boolean }) {
  const offer = useCpuFallbackOffer();
  const [working, setWorking] = useState(false);
  if (!offer) return null;
  return (
    <div data-testid="cpu-fallback" className={`flex flex-wrap items-center gap-3 ${compact ? '' : 'rounded-xl border border-amber-300 bg-amber-50 px-4 py-3 dark:border-amber-800 dark:bg-amber-950/40'}`}>
      {compact ? null : <p className="min-w-0 flex-1 text-sm text-amber-950 dark:text-amber-100">{offer.detail}</p>}
      <Button
        size="sm"
        variant="primary"
        icon={<Icon name="cpu" />}
        disabled={working}
        onClick={() => {
          setWorking(true);
          void offer.run().finally(() => setWorking(false));
        }}
      >
        {working ? 'Switching…' : offer.label}
      </Button>
    </div>
  );
}
