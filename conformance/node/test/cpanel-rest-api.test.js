'use strict';

// cpanel-rest-api 0.1.1: axios GET /json-api/<action>?...&api.version=1 with
// `Authorization: WHM user:key` (an API token or an access hash). It throws
// Error(metadata.reason) when metadata.result is 0 and otherwise returns `data || res`.
// TLS is verified against NODE_EXTRA_CA_CERTS.
const { describe, it } = require('node:test');
const assert = require('node:assert');
const { WHM } = require('cpanel-rest-api');
const { env, username } = require('../env');

function connect(accessKey) {
    return new WHM({ host: env.host, port: env.httpsPort, secure: true, username: 'root', accessKey });
}

describe('cpanel-rest-api', () => {
    it('calls API 1 with an API token as the key', async () => {
        const data = await connect(env.token).api({ action: 'version' });
        assert.match(data.version, /^11\.\d+\.\d+\.\d+$/);
    });

    it('calls API 1 with an access hash as the key', async () => {
        const data = await connect(env.accessHash).api({ action: 'gethostname' });
        assert.equal(typeof data.hostname, 'string');
        assert.ok(data.hostname.length > 0);
    });

    it('gets HTTP 403 for a wrong key', async () => {
        await assert.rejects(connect('B'.repeat(32)).api({ action: 'version' }), (error) => {
            assert.equal(error.response.status, 403);
            return true;
        });
    });

    it('throws the reason of a refusal', async () => {
        await assert.rejects(
            connect(env.token).api({
                action: 'createacct',
                params: { username: 'test', domain: 'reserved.example.org' }
            }),
            /reserved username/
        );
    });

    it('takes an account through its lifecycle', async () => {
        const whm = connect(env.token);
        const user = username('ra');
        const domain = `${user}.example.org`;
        for (const name of ['ra_small', 'ra_large']) {
            await whm.api({ action: 'addpkg', params: { name, quota: 100, bwlimit: 'unlimited' } });
        }

        await whm.api({
            action: 'createacct',
            params: { username: user, domain, plan: 'ra_small', password: 'Corr3ct-Horse-Battery' }
        });

        const listed = await whm.api({ action: 'listaccts', params: { search: user, searchtype: 'user' } });
        assert.deepEqual(
            listed.acct.map((a) => [a.user, a.domain, a.plan]),
            [[user, domain, 'ra_small']]
        );

        const summary = async () =>
            (await whm.api({ action: 'accountsummary', params: { user } })).acct[0];
        assert.equal((await summary()).suspended, 0);

        await whm.api({ action: 'suspendacct', params: { user, reason: 'chargeback' } });
        assert.equal((await summary()).suspended, 1);
        assert.equal((await summary()).suspendreason, 'chargeback');

        await whm.api({ action: 'unsuspendacct', params: { user } });
        assert.equal((await summary()).suspended, 0);

        const changed = await whm.api({
            action: 'passwd',
            params: { user, password: 'An0ther-Long-Passphrase' }
        });
        assert.ok(Array.isArray(changed.app));

        await whm.api({ action: 'changepackage', params: { user, pkg: 'ra_large' } });
        assert.equal((await summary()).plan, 'ra_large');

        const removed = await whm.api({ action: 'removeacct', params: { user } });
        assert.equal(removed.metadata.reason, `${user} account removed`);
        await assert.rejects(summary(), /does not exist/);

        for (const pkg of ['ra_small', 'ra_large']) {
            await whm.api({ action: 'killpkg', params: { pkgname: pkg } });
        }
    });

    it("edits a zone's records by line", async () => {
        const whm = connect(env.token);
        const domain = `${username('rz')}.example.org`;
        await whm.api({ action: 'adddns', params: { domain, ip: '192.0.2.20' } });
        const records = async () => (await whm.api({ action: 'dumpzone', params: { domain } })).zone[0].record;
        const soa = (await records()).find((r) => r.type === 'SOA');
        assert.equal(soa.Lines, 7);

        await whm.api({
            action: 'addzonerecord',
            params: { domain, name: 'api', type: 'TXT', txtdata: 'v=spf1 -all' }
        });
        const line = (await records()).find((r) => r.name === `api.${domain}.`).Line;
        const serial = (await records()).find((r) => r.type === 'SOA').serial;
        await whm.api({
            action: 'editzonerecord',
            params: { domain, line, serialnum: serial, txtdata: 'v=spf1 mx -all' }
        });
        const edited = await whm.api({ action: 'getzonerecord', params: { domain, line } });
        assert.equal(edited.record[0].txtdata, 'v=spf1 mx -all');
        await assert.rejects(
            whm.api({ action: 'removezonerecord', params: { domain, line, serialnum: serial } }),
            /Zone file changed since last read/
        );
        await whm.api({ action: 'killdns', params: { domain } });
        await assert.rejects(records(), /Zone does not exist/);
    });
});
