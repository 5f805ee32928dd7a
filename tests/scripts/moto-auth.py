"""Bootstraps the IAM-enforcing moto server of tests/scripts/services.sh, then switches its
authentication on: a user "reader" allowed sts:GetCallerIdentity and
secretsmanager:GetSecretValue/DescribeSecret, a user "describer" allowed the same without
GetSecretValue, and the secret app/db. Prints shell assignments of both users' access keys.

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


def user(name, actions):
    iam.create_user(UserName=name)
    policy = iam.create_policy(PolicyName=f"vaultdesk-{name}", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }))
    iam.attach_user_policy(UserName=name, PolicyArn=policy["Policy"]["Arn"])
    return iam.create_access_key(UserName=name)["AccessKey"]


# moto evaluates a policy per action (against resource "*"), not per secret ARN: the denial it
# can express is an action the policy does not grant.
reader = user("reader", ["sts:GetCallerIdentity", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"])
describer = user("describer", ["sts:GetCallerIdentity", "secretsmanager:DescribeSecret"])
sm.create_secret(Name="app/db", SecretString=json.dumps({"user": "app", "password": "reader-pw"}))
# From now on every request must be signed by a known key and allowed by its policy.
# (text/plain: moto reads a form-encoded body as a form, and the count as empty.)
urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                              headers={"Content-Type": "text/plain"}))
print(f"export VAULTDESK_TEST_AWS_AUTH_KEY_ID={reader['AccessKeyId']} "
      f"VAULTDESK_TEST_AWS_AUTH_SECRET={reader['SecretAccessKey']} "
      f"VAULTDESK_TEST_AWS_DESCRIBER_KEY_ID={describer['AccessKeyId']} "
      f"VAULTDESK_TEST_AWS_DESCRIBER_SECRET={describer['SecretAccessKey']}")
