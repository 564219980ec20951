Feature: People who share an email are kept apart by every sync
  Two leads with the same address (and a contact whose address differs only in case) are
  different people: what a seller does with one is logged on that one, in Marketo and in
  Salesforce, and what Salesforce says of one reaches that one only.

  Background:
    Given the data set "shared-emails" in Salesforce and Marketo
    And the admin has started the data sync

  @A-TO-MARKETO @A-TO-SALESFORCE @A-TASK-SHAPE
  Scenario: An action on one of them is logged on that one, in Marketo and Salesforce
    When a seller sends the sales email "Quarterly review" to "dana.dupe@acme.example#2"
    And a seller logs a completed call of 60 seconds with "dana.dupe@acme.example#1"
    And a seller logs a no answer call of 5 seconds with "Pat Nomail"
    Then Marketo has exactly 1 "Send Sales Email" activity for "dana.dupe@acme.example#2"
    And Marketo's sales activities for "dana.dupe@acme.example#1" are of the types "Sales Call Received" only
    And Marketo has exactly 1 "Sales Call Received" activity for "Pat Nomail"
    And Marketo has no sales activity for "Kim Nomail"
    And Salesforce has exactly 1 Task of type "Email" on the lead "dana.dupe@acme.example#2"
    And Salesforce has exactly 1 Task of type "Call" on the lead "dana.dupe@acme.example#1"
    And Salesforce has 1 Task on the lead "dana.dupe@acme.example#1"
    And Salesforce has exactly 1 Task of type "Call" on the lead "Pat Nomail"
    And Salesforce has no Task on the lead "Kim Nomail"
    And Salesforce has no Task on the contact "Dana.Dupe@ACME.example"

  @U-SF-TWO-WAY
  Scenario: Opt-outs go to and come from the right one of them
    Given the setting "unsubscribe_sync" is on
    When "Dana.Dupe@ACME.example" unsubscribes in SIA
    And in Salesforce the lead "dana.dupe@acme.example#1" opts out of email
    And SIA runs the unsubscribe sync
    Then the Salesforce contact "Dana.Dupe@ACME.example" has opted out of email
    And the Salesforce lead "dana.dupe@acme.example#2" has not opted out of email
    And "dana.dupe@acme.example#1" is unsubscribed in SIA
    And "dana.dupe@acme.example#2" is not unsubscribed in SIA
    And "Kim Nomail" is not unsubscribed in SIA
    And "cleo@acme.example" is not unsubscribed in SIA

  @T-TWO-WAY
  Scenario: Reminder tasks go to and come from the right one of them
    Given the setting "task_sync" is on
    And SIA runs the task sync
    When a seller creates the reminder task "Call Dan back" for "dana.dupe@acme.example#2"
    And in Salesforce a Task "Write to Dana" is created on the lead "dana.dupe@acme.example#1"
    And SIA runs the task sync
    Then Salesforce has a Task "Call Dan back" on the lead "dana.dupe@acme.example#2" with status "Not Started"
    And SIA has the reminder task "Write to Dana" for "dana.dupe@acme.example#1" with status "Open"
