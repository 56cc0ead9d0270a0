-- The Tracks table of the AWS workshop: phone GPS fixes, partition key uuid,
-- sort key timestamp. The columns are declared because a new table has no
-- items to discover them from (on a table with data, table=Tracks alone
-- discovers them).
CREATE VIRTUAL TABLE tracks USING dynamo(
  table=Tracks,
  latitude N, longitude N, accuracy N, heading N, speed N, altitude N,
  altitude_accuracy N, manufacturer S, model S, platform S, version S, cordova S
);
