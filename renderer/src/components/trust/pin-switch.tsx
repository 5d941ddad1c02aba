import type { ServerView } from '../../../../src/shared/api';
import { useTrust } from '../../stores/trust';

/**
 * Whether an app's tool definitions are pinned: on, a changed or new definition waits for approval;
 * off (for a server under development), every change is offered at once.
 */
export function PinSwitch({ app, servers }: { app: string; servers: ServerView[] }) {
  const setPinning = useTrust((s) => s.setPinning);
  const tools = servers.flatMap((s) => s.tools);
  // The hub marks every tool of an app that does not pin as unpinned; an app with no tools yet pins.
  const pinned = tools.length === 0 || tools.some((t) => t.pin !== 'unpinned');
  return (
    <label className="switch" title={pinned ? 'A changed or new tool definition waits for your approval' : 'Changes to tool definitions are offered at once'}>
      <input type="checkbox" role="switch" aria-label={`Pin the tool definitions of ${app}`} checked={pinned} onChange={() => void setPinning(app, !pinned)} />
      <span>{pinned ? 'Pinned' : 'Not pinned'}</span>
    </label>
  );
}
