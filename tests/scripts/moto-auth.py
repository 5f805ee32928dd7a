"""Bootstraps the IAM-enforcing moto server of tests/scripts/services.sh, then switches its
authentication on: a user "reader" whose policy allows sts:GetCallerIdentity and
secretsmanager:GetSecretValue/DescribeSecret on the secrets named allowed/* only, and the
secrets allowed/db and denied/db. Prints shell assignments of the reader's access key.

    moto-auth.py ENDPOINT
"""
import json
import sys
import urllib.request

import boto3

endpoint = sys.argv[1]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam = boto3.client("iam", **kw)
sm = boto3.client("secretsmanager", **kw)
iam.create_user(UserName="reader")
policy = iam.create_policy(PolicyName="vaultdesk-reader", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"},
        {"Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:allowed/*"},
    ],
}))
iam.attach_user_policy(UserName="reader", PolicyArn=policy["Policy"]["Arn"])
key = iam.create_access_key(UserName="reader")["AccessKey"]
sm.create_secret(Name="allowed/db", SecretString=json.dumps({"user": "app", "password": "allowed-pw"}))
sm.create_secret(Name="denied/db", SecretString=json.dumps({"user": "app", "password": "denied-pw"}))
# From now on every request must be signed by a known key and allowed by its policy.
urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST"))
print(f"export VAULTDESK_TEST_AWS_AUTH_KEY_ID={key['AccessKeyId']} "
      f"VAULTDESK_TEST_AWS_AUTH_SECRET={key['SecretAccessKey']}")
