import { EmptyState } from '../ui/EmptyState';

export default function ModelsPage() {
  return <EmptyState title="Models">The model manager is being built.</EmptyState>;
}
