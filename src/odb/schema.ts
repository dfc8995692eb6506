/** Table types of the operational database (ODB). Dialect-neutral: text, varchar, integer only. */

export interface ConfigTable {
  id: number;
  /** Increased by one in every write transaction: the cluster's config version. */
  version: number;
  cluster_name: string;
}

export interface ObjectTable {
  kind: string;
  name: string;
  /** JSON of the object's fields; secrets are encrypted (`$enc$...`). */
  data: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ChangeTable {
  version: number;
  kind: string;
  name: string;
  action: string;
  at: string;
  /** The admin user who made the change; null when made outside the admin API (or before 003). */
  who: string | null;
  /** JSON of the object's stored data after the change (secrets sealed); null for deletes. */
  data: string | null;
}

export interface ModuleTable {
  name: string;
  source: string;
  hash: string;
  /** JSON array of the service names the module defines. */
  services: string;
  version: number;
  deployed_at: string;
  deployed_from: string;
}

export interface UserTable {
  username: string;
  password_hash: string;
  created_at: string;
}

export interface ServerTable {
  name: string;
  host: string;
  port: number;
  pid: number;
  config_version: number;
  /** JSON: { moduleName: hash } as the server runs it. */
  module_hashes: string;
  last_seen: string;
}

export interface LeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface StateTable {
  scope: string;
  skey: string;
  value: string;
  updated_at: string;
}

export interface Database {
  wharf_state: StateTable;
  wharf_config: ConfigTable;
  wharf_object: ObjectTable;
  wharf_change: ChangeTable;
  wharf_module: ModuleTable;
  wharf_user: UserTable;
  wharf_server: ServerTable;
  wharf_lease: LeaseTable;
}
