import type { ApprovalRequestView } from '../src/shared/api.js';

/** A system notification's text: what the shell shows when a call waits for the user's answer. */
export interface Notice {
  title: string;
  body: string;
}

/** The longest arguments a notification shows; the window shows them whole. */
const maxArguments = 120;

/**
 * The notification for a call held under policy `ask`: which tool of which server, who calls it
 * and (shortened) with what. Clicking it opens the window, where the dialog answers it.
 */
export function approvalNotice(request: ApprovalRequestView): Notice {
  const args = JSON.stringify(request.arguments);
  const shown = args.length > maxArguments ? `${args.slice(0, maxArguments - 1)}…` : args;
  return {
    title: `Allow ${request.tool}?`,
    body: `${request.caller} wants to run ${request.app}/${request.process_type} ${request.tool} with ${shown}. Open Procdock to allow or deny it.`,
  };
}
