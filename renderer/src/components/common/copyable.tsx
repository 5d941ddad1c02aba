import { useState } from 'react';

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="ghost small"
      aria-label={what ? `Copy ${what}` : label}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A value in monospace with its copy button. */
export function Copyable({ text, what }: { text: string; what?: string }) {
  return (
    <span className="copyable">
      <code>{text}</code>
      <CopyButton text={text} {...(what ? { what } : {})} />
    </span>
  );
}
