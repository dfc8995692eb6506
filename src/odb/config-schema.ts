/** The `odb:` block of server.yaml and lb.yaml: which database holds the ODB (see dialect.ts). */
import { z } from 'zod';

const server = {
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  password: z.string().optional(),
  database: z.string(),
};

export const odbConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sqlite'), path: z.string() }),
  z.object({ type: z.literal('postgresql'), ...server }),
  z.object({ type: z.literal('mysql'), ...server }),
]);
