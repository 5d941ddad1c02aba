import { useChat } from '../../stores/chat';

/** What dyno_run_command runs: an app attached to the chat's resource, and the command. */
export function DynoFields() {
  const { toolkit, dyno, setDyno } = useChat();
  const apps = [...new Set(toolkit.map((t) => t.app_name))].sort();
  return (
    <div className="dyno-fields">
      <select aria-label="App dyno_run_command runs in" value={dyno.app} onChange={(e) => setDyno({ ...dyno, app: e.target.value })}>
        <option value="">{apps.length ? 'Pick an app…' : 'No started app is attached'}</option>
        {apps.map((app) => (
          <option key={app}>{app}</option>
        ))}
      </select>
      <input aria-label="Command dyno_run_command runs" className="mono grow" placeholder="node scripts/report.js" value={dyno.cmd} onChange={(e) => setDyno({ ...dyno, cmd: e.target.value })} />
    </div>
  );
}
