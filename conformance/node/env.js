'use strict';

// What the runner tells the suites about the server under test.
const crypto = require('node:crypto');

const env = {
    host: '127.0.0.1',
    httpsPort: Number(process.env.WHMD_HTTPS_PORT),
    httpPort: Number(process.env.WHMD_HTTP_PORT),
    token: process.env.WHMD_ROOT_TOKEN,
    password: process.env.WHMD_ROOT_PASSWORD,
    // `whmd access-hash` prints the hash over several lines; a header cannot hold line breaks,
    // so a Node user joins them, as cPanel's own clients do.
    accessHash: (process.env.WHMD_ACCESS_HASH || '').replace(/\s+/g, '')
};

// A fresh account name: eight characters, unique in the first eight (the database-prefix rule).
function username(prefix) {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    let name = prefix;
    while (name.length < 8) {
        name += letters[crypto.randomInt(letters.length)];
    }
    return name;
}

module.exports = { env, username };
