'use strict';

// cpanel-lib 0.0.5: https.get /json-api/<action>?<qs> with Basic auth or
// `Authorization: WHM user:key`; it adds no api.version, so the caller picks API 0 or API 1.
// A body that is not JSON comes back as the error 'Format request not valid'.
const { describe, it } = require('node:test');
const assert = require('node:assert');
const cpanel = require('cpanel-lib');
const { env, username } = require('../env');

function client(options) {
    return cpanel.createClient({ host: env.host, port: env.httpsPort, username: 'root', ...options });
}

function call(whm, action, query) {
    return new Promise((resolve, reject) => {
        whm.call(action, query, (error, data) => (error ? reject(error) : resolve(data)));
    });
}

describe('cpanel-lib', () => {
    it('calls API 0 with a password (Basic)', async () => {
        const reply = await call(client({ password: env.password }), 'version', {});
        assert.match(reply.version, /^11\.\d+\.\d+\.\d+$/);
        assert.equal(reply.metadata, undefined);
    });

    it('calls API 1 with an API token as the key', async () => {
        const reply = await call(client({ accessKey: env.token }), 'version', { 'api.version': 1 });
        assert.equal(reply.metadata.result, 1);
        assert.match(reply.data.version, /^11\.\d+\.\d+\.\d+$/);
    });

    it('calls API 0 with an access hash as the key over plain HTTP', async () => {
        const whm = client({ accessKey: env.accessHash, port: env.httpPort, secure: false });
        const reply = await call(whm, 'applist', {});
        assert.ok(reply.app.includes('createacct'));
    });

    it('gets the Access denied body for a wrong password', async () => {
        // The client does not look at the status; it hands over the 403 body WHM sends.
        const reply = await call(client({ password: 'not the password' }), 'version', {});
        assert.equal(reply.cpanelresult.error, 'Access denied');
        assert.equal(reply.cpanelresult.data.result, '0');
    });

    it('takes an account through its lifecycle in API 0 shapes', async () => {
        const whm = client({ password: env.password });
        const user = username('cl');
        const domain = `${user}.example.org`;
        for (const name of ['cl_small', 'cl_large']) {
            const added = await call(whm, 'addpkg', { name, quota: 50 });
            assert.equal(added.result[0].status, 1, added.result[0].statusmsg);
        }

        const created = await call(whm, 'createacct', {
            username: user,
            domain,
            plan: 'cl_small',
            password: 'Corr3ct-Horse-Battery'
        });
        assert.equal(created.result[0].status, 1, created.result[0].statusmsg);
        assert.match(created.result[0].statusmsg, /Account Creation Ok/);

        const listed = await call(whm, 'listaccts', { search: user, searchtype: 'user' });
        assert.deepEqual(
            listed.acct.map((a) => [a.user, a.domain, a.plan]),
            [[user, domain, 'cl_small']]
        );

        const summary = async () => (await call(whm, 'accountsummary', { user })).acct[0];
        assert.equal((await summary()).suspended, 0);

        const suspended = await call(whm, 'suspendacct', { user, reason: 'spam' });
        assert.equal(suspended.result[0].status, 1, suspended.result[0].statusmsg);
        assert.equal((await summary()).suspended, 1);

        const unsuspended = await call(whm, 'unsuspendacct', { user });
        assert.equal(unsuspended.result[0].status, 1, unsuspended.result[0].statusmsg);
        assert.equal((await summary()).suspended, 0);

        const changed = await call(whm, 'passwd', { user, pass: 'An0ther-Long-Passphrase' });
        assert.equal(changed.passwd[0].status, 1, changed.passwd[0].statusmsg);

        const moved = await call(whm, 'changepackage', { user, pkg: 'cl_large' });
        assert.equal(moved.result[0].status, 1, moved.result[0].statusmsg);
        assert.equal((await summary()).plan, 'cl_large');

        const removed = await call(whm, 'removeacct', { user });
        assert.equal(removed.result[0].status, 1, removed.result[0].statusmsg);
        // WHM answers a search that matches nothing with status 1 and no list at all.
        const gone = await call(whm, 'listaccts', { search: user, searchtype: 'user' });
        assert.equal(gone.status, 1);
        assert.deepEqual(gone.acct || [], []);

        for (const pkg of ['cl_small', 'cl_large']) {
            const killed = await call(whm, 'killpkg', { pkg });
            assert.equal(killed.result[0].status, 1, killed.result[0].statusmsg);
        }
    });
});
