-- The addresses an API token may be used from: a JSON array of addresses and CIDR ranges;
-- NULL for any.
ALTER TABLE api_tokens ADD COLUMN whitelist_ips TEXT;
