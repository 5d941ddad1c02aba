import { AppsRepository } from './apps-repository.js';
import { CallsRepository } from './calls-repository.js';
import { ConfigRepository } from './config-repository.js';
import { ConversationsRepository } from './conversations-repository.js';
import { openDatabase, type Db } from './database.js';
import { ModelsRepository } from './models-repository.js';
import { MountsRepository } from './mounts-repository.js';
import { FileKeyProvider, SecretBox, type KeyProvider } from './secret-box.js';
import { ServersRepository } from './servers-repository.js';
import { TrustRepository } from './trust-repository.js';

/** The hub's durable state in one SQLite file. The owner calls `close()`. */
export class Catalog {
  readonly apps: AppsRepository;
  readonly servers: ServersRepository;
  readonly models: ModelsRepository;
  readonly config: ConfigRepository;
  readonly calls: CallsRepository;
  readonly mounts: MountsRepository;
  readonly trust: TrustRepository;
  readonly conversations: ConversationsRepository;

  private constructor(private readonly db: Db, secrets: SecretBox) {
    this.apps = new AppsRepository(db);
    this.servers = new ServersRepository(db);
    this.models = new ModelsRepository(db, secrets);
    this.config = new ConfigRepository(db, secrets);
    this.calls = new CallsRepository(db);
    this.mounts = new MountsRepository(db);
    this.trust = new TrustRepository(db);
    this.conversations = new ConversationsRepository(db);
  }

  static open(dataDir: string, keys: KeyProvider = new FileKeyProvider(dataDir)): Catalog {
    const db = openDatabase(dataDir);
    try {
      return new Catalog(db, new SecretBox(keys));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Runs `work` in one write transaction: all of it lands, or none. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  close(): void {
    this.db.close();
  }
}
