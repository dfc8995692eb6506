/** User config: named key/value objects services read as `this.config['crm'].url`, changed live. */
import { z } from 'zod';
import { defineKind } from './kind.js';

export const userConfigKind = defineKind({
  id: 'config.user',
  title: 'User config',
  cli: ['user-config'],
  fields: {
    values: z.record(z.string(), z.unknown()).default({}).describe('Key/value pairs services read (JSON values)'),
  },
});
