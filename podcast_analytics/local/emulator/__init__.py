"""Loopback stand-ins for the cloud services: moto's AWS server, a Firehose and a Snowpipe.

moto serves Kinesis, S3 and SQS over real HTTP, so the producer and the stand-ins use plain
boto3 clients exactly as they would against AWS; only the endpoint URL differs. moto cannot
forward Kinesis to Firehose or evaluate Firehose prefixes, and there is no Snowpipe: the two
stand-ins here do those jobs with the project's own code (the Lambda's `process_record`, the
raw table's columns from the shared config).
"""
