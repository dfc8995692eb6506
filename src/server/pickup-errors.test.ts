import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearPickupRefusal, listPickupRefusals, pickupErrorsDir, recordPickupRefusal } from './pickup-errors.js';

describe('pickup refusals', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const server = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'wharf-pickup-'));
    dirs.push(d);
    return d;
  };

  it('lives in pickup/errors beside the default pickup directory, errors/ inside another', () => {
    expect(pickupErrorsDir('/srv/env/server1/pickup/incoming/services')).toBe('/srv/env/server1/pickup/errors');
    expect(pickupErrorsDir('/srv/drop')).toBe('/srv/drop/errors');
  });

  it('is written as NAME.txt without the Require stack, listed, and removed when a version deploys', () => {
    const pickup = join(server(), 'pickup/incoming/services');
    const file = recordPickupRefusal(
      pickup,
      'bad.ts',
      "bad.ts:3:7: Cannot find module 'left-pad'\nRequire stack:\n- /x/y.js",
    );
    expect(file).toBe(join(pickup, '../../errors/bad.ts.txt'));
    expect(readFileSync(file!, 'utf8')).toBe("bad.ts:3:7: Cannot find module 'left-pad'\n");
    const listed = listPickupRefusals(pickup);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ module: 'bad.ts', message: "bad.ts:3:7: Cannot find module 'left-pad'" });
    clearPickupRefusal(pickup, 'bad.ts');
    expect(existsSync(file!)).toBe(false);
    expect(listPickupRefusals(pickup)).toEqual([]);
  });
});
