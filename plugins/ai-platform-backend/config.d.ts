export interface Config {
  /** Configuration of the ai-platform plugins. */
  aiPlatform?: {
    /** Who may do what; read by the permission policy of packages/backend. */
    permissions?: {
      /**
       * Group entity refs whose members are platform admins: they may do
       * everything, e.g. `group:default/ml-platform`.
       * @default []
       */
      platformAdmins?: string[];
      /**
       * Who may read cost figures: `everyone` signed in, or a list of group
       * or user entity refs (platform admins always may).
       * @default everyone
       */
      costReaders?: 'everyone' | string[];
      /**
       * Who may read the audit log: `everyone` signed in, or a list of group
       * or user entity refs (platform admins always may).
       * @default admins only (an empty list)
       */
      auditReaders?: 'everyone' | string[];
    };
  };
}
