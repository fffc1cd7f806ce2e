import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What to show instead of the children after one of them threw while rendering. */
  fallback: (error: Error, reset: () => void) => ReactNode;
  /** A change of this value (e.g. the route) clears the error and renders the children again. */
  resetKey?: string;
  children: ReactNode;
}

/**
 * Catches what a subtree throws while rendering, so one failing screen never
 * empties the whole app. React only offers this as a class component.
 */
export class ErrorBoundary extends Component<Props, { error: Error | null; key: string | undefined }> {
  override state: { error: Error | null; key: string | undefined } = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(thrown: unknown): { error: Error } {
    return { error: thrown instanceof Error ? thrown : new Error(String(thrown)) };
  }

  static getDerivedStateFromProps(props: Props, state: { error: Error | null; key: string | undefined }) {
    return props.resetKey === state.key ? null : { error: null, key: props.resetKey };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept for the developer tools; the user sees the fallback.
    console.error(error, info.componentStack);
  }

  private readonly reset = () => this.setState({ error: null });

  override render(): ReactNode {
    return this.state.error ? this.props.fallback(this.state.error, this.reset) : this.props.children;
  }
}
