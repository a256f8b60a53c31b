// mongosh script: make this mongod a single-node replica set `rs0`, and exit 0 only once it
// is the writable primary. docker-compose.yml runs it as mongo's healthcheck, so it must be
// idempotent and cheap when there is nothing to do (it runs every few seconds).
//
// Why a replica set for one node: Herald's MongoDB store uses transactions and change
// streams, which MongoDB only offers on replica sets.
//
// The member's host must be the name other containers use to reach this one (the compose
// service name), because drivers connecting with `?replicaSet=rs0` switch to the addresses
// listed in the replica-set config. From the host machine, that name does not resolve:
// connect with `mongodb://127.0.0.1:27017/herald?directConnection=true` instead.
//
// Usage: mongosh --quiet --norc --file /path/to/init-replica-set.js
//        (MONGO_RS_HOST overrides the member address, default mongo:27017)

/* global rs, db, print, quit -- mongosh shell globals */

const replSetName = 'rs0';
// eslint-disable-next-line no-restricted-syntax -- a mongosh script run by the database container, not Herald code
const memberHost = process.env.MONGO_RS_HOST || 'mongo:27017';

// Server error codes: NotYetInitialized, AlreadyInitialized.
const NOT_YET_INITIALIZED = 94;
const ALREADY_INITIALIZED = 23;

let initialized = true;
try {
  rs.status();
} catch (error) {
  if (error.code !== NOT_YET_INITIALIZED) throw error;
  initialized = false;
}

if (!initialized) {
  try {
    rs.initiate({ _id: replSetName, members: [{ _id: 0, host: memberHost }] });
    print(`initiated replica set ${replSetName} with member ${memberHost}`);
  } catch (error) {
    // Another run (a manual one, or an overlapping healthcheck) got there first.
    if (error.code !== ALREADY_INITIALIZED) throw error;
  }
}

// An election takes a few seconds after rs.initiate: report unhealthy until it is done, so
// services that depend on a healthy mongo never meet a primary-less replica set.
const hello = db.hello();
if (hello.setName !== replSetName || !hello.isWritablePrimary) {
  print(`replica set ${replSetName} has no writable primary yet`);
  quit(1);
}
