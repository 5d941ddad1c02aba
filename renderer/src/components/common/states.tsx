import type { ReactNode } from 'react';

/** A page or panel with nothing to show yet: what it is for and what to do. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted loading" role="status">
      <span className="spinner" aria-hidden /> Loading {what}…
    </p>
  );
}

export function ErrorNotice({ message, children }: { message: string | undefined; children?: ReactNode }) {
  if (!message) return null;
  return (
    <div className="notice error" role="alert">
      {message}
      {children}
    </div>
  );
}

/** Milliseconds as people read them. */
export function duration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return '–';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
