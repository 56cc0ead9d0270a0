-- The Tracks table of the AWS workshop: phone GPS fixes, partition key uuid,
-- sort key timestamp. create=1 creates the DynamoDB table when it does not
-- exist yet (on demand, keys from PRIMARY KEY, their types from the declared
-- column types) and checks its key schema when it does. The other columns
-- are declared because a new table has no items to discover them from.
CREATE VIRTUAL TABLE tracks USING dynamo(
  table=Tracks, create=1,
  uuid TEXT, timestamp TEXT,
  latitude N, longitude N, accuracy N, heading N, speed N, altitude N,
  altitude_accuracy N, manufacturer S, model S, platform S, version S, cordova S,
  PRIMARY KEY (uuid, timestamp)
);
